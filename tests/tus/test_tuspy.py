"""A real third-party tus client, tuspy (PyPI), against chibo's tus endpoint.

The server is the crate's tus router served by `server/examples/tus_dev_server.rs`
(path in CHIBO_TUS_DEV_SERVER), devices given by token. tests/lib/tus.sh builds it,
installs tuspy into a venv and runs this file with that venv's Python.
"""

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from urllib.parse import urlparse

import requests
from tusclient import client as tus
from tusclient.exceptions import TusUploadFailed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHOTOS = os.path.join(ROOT, "..", "shared", "fixtures", "photos")
PHOTO = os.path.join(PHOTOS, "phone", "jolla.jpg")
SERVER = os.environ.get("CHIBO_TUS_DEV_SERVER", "")

UPLOADS_PATH = "/api/v1/uploads"
BLOBS_PATH = "/api/v1/blobs"
# The client chunk size the server recommends for 2G (tus::RECOMMENDED_CHUNK_SIZE).
CHUNK = 64 * 1024

COMMUNE_A = "0191d5a4-0000-7000-8000-00000000000a"
COMMUNE_B = "0191d5a4-0000-7000-8000-00000000000b"
MAI = "token-mai"  # secretary's phone, commune A, may read the photos
HUNG = "token-hung"  # a phone of commune B


class DevServer:
    """The tus dev server over a data directory; a new one can take over the same dir."""

    def __init__(self, data_dir):
        self.proc = subprocess.Popen(
            [
                SERVER,
                data_dir,
                "--device", f"{MAI}:device-mai:{COMMUNE_A}:read",
                "--device", f"{HUNG}:device-hung:{COMMUNE_B}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.crash()
            raise RuntimeError(f"tus dev server did not start: {line!r}")
        self.base = line.split("listening on ", 1)[1].strip()

    def crash(self):
        """SIGKILL: no chance to flush or clean up, like a power cut."""
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def auth(token):
    return {"Authorization": f"Bearer {token}"}


class TuspyTest(unittest.TestCase):
    def setUp(self):
        if not SERVER:
            self.fail("CHIBO_TUS_DEV_SERVER is not set (run through tests/run)")
        self.data_dir = tempfile.mkdtemp(prefix="chibo-tus-")
        self.servers = []
        with open(PHOTO, "rb") as f:
            self.photo = f.read()
        self.sha = sha256_hex(self.photo)

    def tearDown(self):
        for server in self.servers:
            server.crash()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def start_server(self):
        server = DevServer(self.data_dir)
        self.servers.append(server)
        return server

    def client(self, server, token=MAI):
        return tus.TusClient(server.base + UPLOADS_PATH, headers=auth(token))

    def metadata(self, sha):
        return {"filename": "jolla.jpg", "filetype": "image/jpeg", "sha256": sha}

    def test_photo_upload_interrupted_by_a_server_crash_resumes_from_the_server_offset(self):
        self.assertGreater(len(self.photo), 8 * CHUNK, "the photo must span many chunks")
        first = self.start_server()
        uploader = self.client(first).uploader(
            PHOTO, chunk_size=CHUNK, metadata=self.metadata(self.sha), upload_checksum=True
        )
        uploader.upload(stop_at=5 * CHUNK)
        self.assertEqual(uploader.offset, 5 * CHUNK)
        upload_path = urlparse(uploader.url).path
        self.assertTrue(upload_path.startswith(UPLOADS_PATH + "/"), upload_path)

        first.crash()
        second = self.start_server()
        # A new uploader on the same upload (the phone after a restart) asks the server
        # where to go on: tuspy's HEAD.
        resumed = self.client(second).uploader(
            PHOTO, url=second.base + upload_path, chunk_size=CHUNK, upload_checksum=True
        )
        self.assertEqual(resumed.offset, 5 * CHUNK)
        resumed.upload()
        self.assertEqual(resumed.offset, len(self.photo))

        head = requests.head(
            second.base + upload_path, headers={**auth(MAI), "Tus-Resumable": "1.0.0"}
        )
        self.assertEqual(head.headers["Upload-Offset"], str(len(self.photo)))
        self.assertEqual(head.headers["Cache-Control"], "no-store")

        blob = requests.get(f"{second.base}{BLOBS_PATH}/{self.sha}", headers=auth(MAI))
        self.assertEqual(blob.status_code, 200)
        self.assertEqual(blob.headers["Content-Type"], "image/jpeg")
        self.assertEqual(sha256_hex(blob.content), self.sha)

        refused = requests.get(f"{second.base}{BLOBS_PATH}/{self.sha}", headers=auth(HUNG))
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "forbidden")

    def test_a_photo_damaged_before_upload_is_refused_and_never_published(self):
        server = self.start_server()
        damaged = bytearray(self.photo)
        damaged[len(damaged) // 2] ^= 0x01
        uploader = self.client(server).uploader(
            file_stream=io.BytesIO(bytes(damaged)),
            chunk_size=CHUNK,
            metadata=self.metadata(self.sha),
            upload_checksum=True,
        )
        with self.assertRaises(TusUploadFailed) as failed:
            uploader.upload()
        self.assertEqual(failed.exception.status_code, 460)
        self.assertIn(b"checksum_mismatch", failed.exception.response_content)

        head = requests.head(uploader.url, headers={**auth(MAI), "Tus-Resumable": "1.0.0"})
        self.assertEqual(head.status_code, 404)
        for sha in (self.sha, sha256_hex(bytes(damaged))):
            blob = requests.get(f"{server.base}{BLOBS_PATH}/{sha}", headers=auth(MAI))
            self.assertEqual(blob.status_code, 404, sha)

    def test_an_upload_is_only_usable_by_the_device_that_created_it(self):
        server = self.start_server()
        uploader = self.client(server).uploader(
            PHOTO, chunk_size=CHUNK, metadata=self.metadata(self.sha)
        )
        uploader.upload(stop_at=2 * CHUNK)
        other = self.client(server, token=HUNG).uploader(
            PHOTO, url=None, chunk_size=CHUNK, metadata=self.metadata(self.sha)
        )
        other.set_url(uploader.url)
        other.offset = 2 * CHUNK
        with self.assertRaises(TusUploadFailed) as failed:
            other.upload_chunk()
        self.assertEqual(failed.exception.status_code, 404)


if __name__ == "__main__":
    # tuspy leaves the photo file open between chunks; its ResourceWarnings are noise here.
    unittest.main(verbosity=2, warnings="ignore")
