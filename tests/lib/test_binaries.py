"""Reads `cargo test --no-run --message-format=json` on stdin and prints, for each test
binary of the packages named on the command line, "<package folder>\t<executable>"."""
import json
import os
import sys

wanted = set(sys.argv[1:])
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") != "compiler-artifact" or not message.get("executable"):
        continue
    if not message.get("profile", {}).get("test"):
        continue
    # package_id: "path+file:///work/main/server#chibo-server@0.1.0", or ".../name#0.1.0"
    # when the folder is named after the package.
    url, _, fragment = message["package_id"].rpartition("#")
    name = fragment.split("@", 1)[0] if "@" in fragment else url.rstrip("/").rsplit("/", 1)[-1]
    if name in wanted:
        print(f"{os.path.dirname(message['manifest_path'])}\t{message['executable']}")
