# tidings: `docker build -t tidings .` then `docker run -p 8000:8000 -v tidings-data:/data tidings`.
# The image installs the wheel built in the first stage, the same wheel `pip install` gets.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tidings && mkdir /data && chown tidings:tidings /data
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/tidings-*.whl && rm -rf /tmp/dist
USER tidings
WORKDIR /home/tidings
ENV TIDINGS_DATA_DIR=/data \
    TIDINGS_HOST=0.0.0.0 \
    TIDINGS_PORT=8000 \
    TIDINGS_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["tidings", "health"]
ENTRYPOINT ["tidings"]
CMD ["serve"]
