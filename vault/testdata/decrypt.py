#!/usr/bin/env python3
# An independent reader of Aegis vault files, for the tests of package
# vault: the algorithm of Aegis's own docs/decrypt.py (scrypt of the
# password with each password slot's parameters, AES-256-GCM to unwrap the
# master key, AES-256-GCM again to open the database), written with the
# Python 'cryptography' package (Debian: python3-cryptography) and no code
# of ours. Reads the password from stdin; prints the database JSON.
#
#   decrypt.py --input vault.json < password

import argparse
import base64
import json
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


def master_key(header, password):
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        kdf = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32,
                     n=slot["n"], r=slot["r"], p=slot["p"])
        key = kdf.derive(password)
        params = slot["key_params"]
        try:
            return AESGCM(key).decrypt(
                bytes.fromhex(params["nonce"]),
                bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]),
                None)
        except InvalidTag:
            continue
    sys.exit("decrypt.py: no password slot opens with this password")


def main():
    parser = argparse.ArgumentParser(description="decrypt an Aegis vault")
    parser.add_argument("--input", required=True)
    args = parser.parse_args()
    password = sys.stdin.buffer.read()

    with open(args.input, "rb") as f:
        vault = json.load(f)
    if vault["version"] != 1:
        sys.exit("decrypt.py: vault version %r" % vault["version"])
    header = vault["header"]
    key = master_key(header, password)
    params = header["params"]
    db = AESGCM(key).decrypt(
        bytes.fromhex(params["nonce"]),
        base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"]),
        None)
    sys.stdout.write(db.decode("utf-8"))


if __name__ == "__main__":
    main()
