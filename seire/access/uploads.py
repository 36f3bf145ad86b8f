"""A hard limit on uploaded files. Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts of
a multipart request out of its count, and FILE_UPLOAD_MAX_MEMORY_SIZE only decides when an
upload goes to a temporary file; this handler, first in FILE_UPLOAD_HANDLERS, refuses (400) a
multipart request larger than SEIRE_MAX_REQUEST_BYTES before any of it is stored."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.SEIRE_MAX_REQUEST_BYTES:
            raise RequestDataTooBig(
                f"the request is {content_length} bytes; at most"
                f" {settings.SEIRE_MAX_REQUEST_BYTES} are accepted"
            )

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # the next handler stores it

    def file_complete(self, file_size):
        return None
