# Tradeoff bot: `docker build -t tradeoff . && docker run -p 3000:3000 --env-file .env tradeoff`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package build needs; the migrations ship inside the package as bot.migrations.
# requirements.lock pins every dependency, so each build installs the versions CI tested.
COPY pyproject.toml README.md alembic.ini requirements.lock ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install -c requirements.lock .

RUN useradd --create-home --uid 10001 tradeoff && mkdir -p /data && chown tradeoff /data
USER tradeoff

# SQLite on a volume by default; set DATABASE_URL=postgresql://... in production.
ENV DATABASE_URL=sqlite:////data/tradeoff.db \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["tradeoff", "healthcheck"]

# `serve` migrates the database, then answers Slack on POST /slack/events.
CMD ["tradeoff", "serve"]
