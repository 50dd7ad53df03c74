"""Slack's Block Kit limits that builders must respect (see Slack's block reference)."""

MAX_BLOCKS_PER_MESSAGE = 50
MAX_BLOCKS_PER_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
MAX_PRIVATE_METADATA = 3000
MAX_VIEW_TITLE = 24
# Slack refuses a posted message whose block texts add up to more than about 12,000 characters
# (`msg_blocks_too_long`) even when every block is within its own limit; Slack's staff gave
# this figure in slackapi/bolt-js#2509.
MAX_MESSAGE_TEXT = 12_000
