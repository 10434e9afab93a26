# The porting bot's image: python -m bot on PORT (3000), as a non-root user.
#   docker build -t porting-bot .
#   docker run --rm --env-file .env porting-bot python -m bot migrate   # the release step
#   docker run -d --env-file .env -p 3000:3000 porting-bot
# compose.yaml runs PostgreSQL, the release step and two replicas. Check a configuration
# before going live with: docker run --rm --env-file .env porting-bot python -m bot doctor

# -- build: the package and its dependencies into a virtualenv --------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /venv/bin/pip install .

# -- run: the virtualenv only, no compilers, no sources ----------------------------------------
FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=3000
RUN useradd --system --create-home --uid 10001 bot
COPY --from=build /venv /venv
WORKDIR /app
# The local workspace and `doctor` read the manifest from the working directory.
COPY manifest.yml manifest.socket.yml ./
USER bot
EXPOSE 3000
# /readyz: 200 once the database answers (503 otherwise); the bot's own clock of its loop lag.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '3000'), timeout=4)"]
CMD ["python", "-m", "bot"]
