"""`python -m server`: serve the mall named by ANTRIAN_CONFIG (the demo mall by default)."""

from __future__ import annotations

import sys

import uvicorn

from config.loader import ConfigError, load_config
from server.app import create_app
from server.journal import JournalError
from server.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    try:
        loaded = load_config(settings.config_path)
    except ConfigError as exc:
        sys.exit(f"Configuration error: {exc}")
    mall = loaded.mall
    app = create_app(settings, loaded=loaded)
    base = f"http://{settings.host}:{settings.port}"
    print(f"Antrian: {mall.site.name}")
    print(f"  config   {settings.config_path}")
    print(f"  journal  {settings.journal_for(mall.id)}")
    print(f"  pages    {base}/  (start here)")
    for kiosk in list(mall.kiosks)[:1]:
        print(f"  kiosk    {base}/kiosk/{kiosk}")
    for counter in list(mall.counters)[:1]:
        print(f"  counter  {base}/counter/{counter}")
    for display in list(mall.displays)[:1]:
        print(f"  display  {base}/display/{display}")
    print(f"  API      {base}/schema")
    sys.stdout.flush()
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", ws_max_size=16 * 1024)
    except JournalError as exc:
        sys.exit(f"Journal error: {exc}")


if __name__ == "__main__":
    main()
