# Sílvia: one image for the webhook service (`silvia serve`), the worker and the one-shot
# migration (`silvia db upgrade`). Built from the package metadata, so the image has exactly
# the dependencies pyproject.toml declares. `demo/` (synthetic bills, the scripted model) is left
# out: no runtime room imports it (lint-imports), and the commands that use it need the `demo`
# extra, which the image does not install, so they stop with a message saying so.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SILVIA_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY api ./api
COPY bills ./bills
COPY cli ./cli
COPY evals ./evals
COPY ops ./ops
COPY prompts ./prompts
COPY storage ./storage
COPY tools ./tools
COPY graph.py settings.py wiring.py ./
RUN pip install . && useradd --create-home --uid 10001 silvia && mkdir -p /data && chown silvia /data

USER silvia
VOLUME ["/data"]
EXPOSE 8000
CMD ["silvia", "serve", "--host", "0.0.0.0", "--port", "8000"]
