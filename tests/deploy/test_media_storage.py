"""Images and documents: MEDIA_ROOT, or a private S3-compatible bucket when one is named.

Each test reads the production settings in a fresh Python process with the
environment a deployment would give it (nothing here talks to a bucket: the
signed links are made without asking the server).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "hub.settings.production",
    "SECRET_KEY": "storage-test-" + "k" * 50,
    "ALLOWED_HOSTS": "hub.example.org",
    "DATABASE_URL": "sqlite:////tmp/hub-storage-settings.sqlite3",
}
BUCKET_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "hub-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
    "AWS_S3_REGION_NAME": "eu-central-1",
    "AWS_ACCESS_KEY_ID": "HUBTESTKEY",
    "AWS_SECRET_ACCESS_KEY": "hub-test-secret",
}
SERVICE_VARIABLES = {
    "DATABASE_URL",
    "OPENSEARCH_URL",
    "ELASTICSEARCH_URL",
    "REDIS_URL",
    "CACHE_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
}


def run_settings(code, **env):
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SERVICE_VARIABLES and not name.startswith("AWS_")
    }
    environment.update(PRODUCTION_ENV, **env)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


STORAGES_JSON = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES))"


def test_media_stays_in_media_root_when_no_bucket_is_named():
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], str(settings.MEDIA_ROOT)]))"
    )
    default, media_root = run_settings(code, MEDIA_ROOT="/srv/hub/media")
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_root == "/srv/hub/media"


def test_a_bucket_name_puts_images_and_documents_in_that_bucket_privately():
    storages = run_settings(STORAGES_JSON, **BUCKET_ENV)
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "hub-media"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "eu-central-1"
    assert (options["access_key"], options["secret_key"]) == ("HUBTESTKEY", "hub-test-secret")
    # Private by default: no ACL granted, every link signed, nothing overwritten.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # Static files are still collected into the image and served by nginx or WhiteNoise.
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_without_keys_boto3_finds_credentials_itself():
    env = {name: value for name, value in BUCKET_ENV.items() if not name.endswith(("_KEY_ID", "_ACCESS_KEY"))}
    options = run_settings(STORAGES_JSON, **env)["default"]["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None


def test_documents_link_to_the_hubs_document_view_and_never_to_the_bucket():
    code = """
import json
from django.conf import settings
from django.core.files.storage import default_storage
from wagtail.documents.models import Document

document = Document(id=7, collection_id=1, title="Minutes", file="documents/minutes.pdf")
print(json.dumps({
    "serve_method": settings.WAGTAILDOCS_SERVE_METHOD,
    "document_url": document.url,
    "storage_url": default_storage.url("documents/minutes.pdf"),
}))
"""
    seen = run_settings(code, **BUCKET_ENV)
    assert seen["serve_method"] == "serve_view"
    # The page links the hub's view, which checks who may open the document.
    assert seen["document_url"] == "/documents/7/minutes.pdf"
    # The bucket's own link exists only signed: the object itself is not public.
    storage_url = urlsplit(seen["storage_url"])
    assert storage_url.netloc == "s3.example.org"
    assert "X-Amz-Signature=" in storage_url.query


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_S3_ENDPOINT_URL": "https://s3.example.org"},
        {"AWS_S3_ENDPOINT_URL": "http://minio:9000", "AWS_S3_ADDRESSING_STYLE": "path"},
        {"AWS_S3_ENDPOINT_URL": "https://storage.example.org", "AWS_S3_ADDRESSING_STYLE": "virtual"},
        {"AWS_S3_REGION_NAME": "eu-west-1"},
        {"AWS_S3_REGION_NAME": "eu-west-1", "AWS_S3_ADDRESSING_STYLE": "path"},
        {},
    ],
    ids=["endpoint", "minio-path", "endpoint-virtual", "aws-region", "aws-path", "aws"],
)
def test_the_content_security_policy_lets_pages_show_images_from_the_bucket(env):
    code = """
import json
from django.conf import settings
from django.core.files.storage import default_storage
print(json.dumps({
    "image_url": default_storage.url("images/river.2e16d0ba.fill-300x200.jpg"),
    "img_src": settings.SECURE_CSP["img-src"],
    "admin_img_src": settings.HUB_ADMIN_CSP["img-src"],
}))
"""
    seen = run_settings(
        code, AWS_STORAGE_BUCKET_NAME="hub-media", AWS_ACCESS_KEY_ID="K", AWS_SECRET_ACCESS_KEY="S", **env
    )
    image = urlsplit(seen["image_url"])
    origin = f"{image.scheme}://{image.netloc}"
    assert origin in seen["img_src"]
    assert origin in seen["admin_img_src"]


def test_signed_image_links_outlive_every_cached_copy_of_a_page():
    code = """
import json
from django.conf import settings
from hub.context_processors import FRAGMENT_SECONDS
print(json.dumps({
    "expire": settings.STORAGES["default"]["OPTIONS"]["querystring_expire"],
    "cached_for": FRAGMENT_SECONDS + settings.PAGE_CACHE_SECONDS,
}))
"""
    seen = run_settings(code, **BUCKET_ENV)
    assert seen["expire"] > seen["cached_for"]
