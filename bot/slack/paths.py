"""The HTTP paths Slack calls: the app serves them and the manifest tells Slack about them."""

SLACK_EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
