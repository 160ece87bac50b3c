"""The documentation page's one script, Redoc's standalone bundle, served from the
drf-spectacular-sidecar package (no CDN). Only that file is collected: the whole package (Swagger UI and
its source maps, 9 MB) would make every deploy's collectstatic compress 30 MB more for nothing."""
from pathlib import Path

import drf_spectacular_sidecar
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

ROOT = Path(drf_spectacular_sidecar.__file__).resolve().parent / "static"
# The source map goes along because the bundle names it (the manifest storage checks every reference);
# settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS spares compressing it (only a browser's tools read it).
FILES = ("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
         "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js.map",
         "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js.LICENSE.txt")


class RedocFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=ROOT)

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path in FILES:
            found = str(ROOT / path)
            return [found] if find_all else found
        return []  # as Django's own finders answer "not here"

    def list(self, ignore_patterns):
        for path in FILES:
            yield path, self.storage
