"""Where GitHub posts its webhooks (the manifest, the CLI and the web app agree on it)."""

GITHUB_WEBHOOK_PATH = "/github/webhook"
