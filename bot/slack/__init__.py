"""Everything that speaks Slack: the Bolt app, listeners per surface, Block Kit builders."""
