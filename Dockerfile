# paperbot: slim Python 3.11, non-root, runtime dependencies only, catalog baked in
# (mount your own over /app/data to serve another one).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY data ./data
# The same install step as the README and CI, without the dev extra.
RUN pip install -e . && useradd --create-home --uid 10001 paperbot
USER paperbot
ENV PAPERBOT_CACHE_DIR=/home/paperbot/.cache/paperbot
# Compile the baked-in catalog and its search index into the image, so a container starts by
# mapping them. (Serving another catalog? Mount a volume at PAPERBOT_CACHE_DIR to keep its.)
RUN paperbot search medusa > /dev/null
CMD ["paperbot", "run"]
