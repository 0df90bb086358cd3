"""schemathesis hooks for the API suite (tests/lib/api.sh), loaded through SCHEMATHESIS_HOOKS.

tus chunks travel as `application/offset+octet-stream`: raw bytes, sent as they are.
"""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
