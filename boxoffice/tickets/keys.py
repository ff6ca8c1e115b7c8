"""Ed25519 key pairs and their encryption at rest.

Private keys are stored as AES-256-GCM ciphertext under SIGNING_MASTER_KEY, with the schema and
key id as associated data: a ciphertext copied into another organizer's row (or another key's)
does not decrypt. Public keys are cached per process: verifying is the check-in hot path.
"""

import base64
import functools
import os
import secrets

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


def _master_key() -> bytes:
    key = base64.b64decode(settings.SIGNING_MASTER_KEY, validate=True)
    if len(key) != 32:
        raise ImproperlyConfigured("SIGNING_MASTER_KEY must be 32 bytes, base64-encoded")
    return key


def _associated_data(schema_name: str, key_id: int) -> bytes:
    return f"boxoffice.tickets.signing-key:{schema_name}:{key_id}".encode()


def new_key_id() -> int:
    """A random, non-zero 32-bit key id (ids carry no meaning; zero is kept as 'none')."""
    return secrets.randbelow(0xFFFFFFFF) + 1


def generate_key_pair(*, schema_name: str, key_id: int) -> tuple[bytes, bytes]:
    """A fresh key pair: (public key, 32 raw bytes; encrypted private key)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(_master_key()).encrypt(
        nonce, private.private_bytes_raw(), _associated_data(schema_name, key_id)
    )
    return public, nonce + ciphertext


def decrypt_private_key(*, schema_name: str, key_id: int, encrypted: bytes) -> Ed25519PrivateKey:
    encrypted = bytes(encrypted)
    try:
        raw = AESGCM(_master_key()).decrypt(
            encrypted[:NONCE_BYTES], encrypted[NONCE_BYTES:], _associated_data(schema_name, key_id)
        )
    except InvalidTag as exc:
        raise ImproperlyConfigured(
            "A ticket-signing key does not decrypt: SIGNING_MASTER_KEY is not the one it was "
            "made with."
        ) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


@functools.lru_cache(maxsize=1024)
def public_key_object(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        public_key_object(bytes(public_key)).verify(signature, message)
    except InvalidSignature:
        return False
    return True
