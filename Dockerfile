# greenplan production image: gunicorn (web), celery worker and celery beat all run from it.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=greenplan.settings

# WeasyPrint renders PDFs with Pango/HarfBuzz; Liberation fonts give Vietnamese glyphs with stable metrics
# (and the signature block's font); pdftotext (poppler-utils) compares an uploaded signed report's text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-liberation2 \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        poppler-utils \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies only: requirements.txt pins them exactly; the test tools live in
# requirements-test.txt and stay out of the image.
COPY pyproject.toml requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Explicit list (no .dockerignore yet): keeps .venv, .git, db.sqlite3 and var/ out of the image.
# Add new top-level apps here. locale/ holds the compiled English catalogue (the VI/EN switch).
COPY manage.py ./
COPY greenplan ./greenplan
COPY agencies ./agencies
COPY tasks ./tasks
COPY reporting ./reporting
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
COPY locale ./locale

# Static files are collected at build time and served by WhiteNoise (compressed, hashed names).
# The build-only key never reaches a running container: compose requires SECRET_KEY.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput \
 && groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app/var/media /app/var/mail /run/greenplan \
 && chown -R app:app /app/var /run/greenplan

USER app
EXPOSE 8000
VOLUME ["/app/var/media", "/app/var/mail"]

CMD ["gunicorn", "greenplan.wsgi", "--bind", "0.0.0.0:8000", "--pid", "/run/greenplan/gunicorn.pid", \
     "--worker-tmp-dir", "/dev/shm", "--workers", "3", "--access-logfile", "-"]
