"""The WSGI application; `runserver` (and so the demo) loads it too (WSGI_APPLICATION)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
application = get_wsgi_application()

# Refuse to serve under a missing, malformed or wrong data key (petitions/keys.py): the server
# fails to start with the Chinese and English message instead of answering with errors
# and writing petitioners under the wrong key.
from xinfang.petitions.keys import check_data_key  # noqa: E402  (needs the apps loaded)

check_data_key()
