"""Where uploaded and generated files live: the local disk (the embedded default) or an S3-compatible
bucket, chosen by the environment.

STORAGE_URL names a bucket in one variable:

    s3://KEY:SECRET@s3.example.vn/greenplan            HTTPS endpoint, bucket "greenplan"
    s3+http://KEY:SECRET@127.0.0.1:8333/greenplan/prod  plain HTTP (a store on the same network), key prefix "prod"
    s3://KEY:SECRET@/greenplan?region=ap-southeast-1     AWS itself (no host: boto3's own endpoint)

Query options: region (default us-east-1), addressing=path|virtual (default path, which every
S3-compatible server understands). Without STORAGE_URL the usual variables work too:
AWS_STORAGE_BUCKET_NAME (required to switch S3 on), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_LOCATION (key prefix).

The bucket stays private: files leave only through the portal's permission-checked views, which
stream them; nothing hands out a public bucket URL.
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SCHEMES = {"s3": "https", "s3+https": "https", "s3+http": "http"}


def _client_config():
    from botocore.config import Config

    # Fail fast when the store is down: a page waiting a minute on boto3's defaults is worse than a
    # clear "try again" message. Two attempts ride out a single dropped connection.
    return Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2, "mode": "standard"})


def s3_options(url: str = "", environ: dict | None = None) -> dict:
    """django-storages S3Storage options from STORAGE_URL, or from the AWS_* variables."""
    environ = environ or {}
    if url:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ImproperlyConfigured(f"STORAGE_URL must start with s3://, s3+https:// or s3+http:// (got {parts.scheme}://)")
        path = parts.path.strip("/")
        bucket, _, prefix = path.partition("/")
        if not bucket:
            raise ImproperlyConfigured("STORAGE_URL names no bucket (s3://KEY:SECRET@HOST/BUCKET)")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        host = parts.hostname or ""
        endpoint = f"{SCHEMES[parts.scheme]}://{host}{':' + str(parts.port) if parts.port else ''}" if host else None
        access, secret = unquote(parts.username or ""), unquote(parts.password or "")
        region, addressing = query.get("region", "us-east-1"), query.get("addressing", "path")
    else:
        bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
        if not bucket:
            return {}
        prefix = environ.get("AWS_LOCATION", "")
        endpoint = environ.get("AWS_S3_ENDPOINT_URL") or None
        access, secret = environ.get("AWS_ACCESS_KEY_ID", ""), environ.get("AWS_SECRET_ACCESS_KEY", "")
        region, addressing = environ.get("AWS_S3_REGION_NAME", "us-east-1"), environ.get("AWS_S3_ADDRESSING_STYLE", "path")
    if addressing not in ("path", "virtual"):
        raise ImproperlyConfigured(f"S3 addressing must be path or virtual (got {addressing!r})")
    options = {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": endpoint,
        "region_name": region,
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "default_acl": None,           # the bucket's own (private) policy; no public-read objects
        "querystring_auth": True,      # any URL the storage builds is signed and short-lived
        "querystring_expire": 300,
        "file_overwrite": False,       # a second file of the same name gets its own key, as on disk
        "client_config": _client_config(),
    }
    if access or secret:
        options.update(access_key=access, secret_key=secret)
    return options


def default_storage_setting(url: str, environ: dict) -> dict:
    """The STORAGES["default"] entry: S3 when configured, else the local disk under MEDIA_ROOT.

    On disk, files are readable by the portal's own user only (evidence is not for other accounts
    of the machine)."""
    options = s3_options(url, environ)
    if options:
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return {"BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}
