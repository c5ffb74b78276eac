import sys

from .cli import main

if __name__ == "__main__":  # not when a spawned render-farm worker imports this module
    sys.exit(main())
