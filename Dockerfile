# conflict-status: the REST service under gunicorn, on SQLite in /data by default.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY events ./events
COPY projections ./projections
COPY service ./service
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/conflict-status.db \
    SIGNING_KEY_FILE=/data/signing-key.pem
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /data --create-home conflict \
    && chown conflict /data
USER conflict
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["conflict-status"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
