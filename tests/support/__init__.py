"""What the tests share: paths, stores, pages driven by AppTest, workbooks built or broken on
purpose, a real PostgreSQL (``pg``), Chromium (``browser``). Test modules import from here, never
from one another."""
