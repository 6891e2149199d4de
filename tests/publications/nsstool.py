"""Make an NSS database that trusts one CA, for poppler's ``pdfsig -nssdir``.

Usage: python nsstool.py DIRECTORY CA.der

It does what ``certutil -N`` + ``certutil -A -t CT,C,C`` would do; Debian's
libnss3-tools is not installed here, so it calls libnss3 (which poppler
itself links) through ctypes. No Django import: it runs as a child process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from pathlib import Path


class Trust(ctypes.Structure):
    _fields_ = [("ssl", ctypes.c_uint), ("email", ctypes.c_uint), ("objsign", ctypes.c_uint)]


def make_nss_db(directory: Path, ca_der: bytes) -> None:
    nss = ctypes.CDLL(ctypes.util.find_library("nss3") or "libnss3.so")
    smime = ctypes.CDLL(ctypes.util.find_library("smime3") or "libsmime3.so")
    voidp = ctypes.c_void_p
    nss.NSS_InitReadWrite.argtypes = [ctypes.c_char_p]
    nss.PK11_GetInternalKeySlot.restype = voidp
    nss.PK11_NeedUserInit.argtypes = [voidp]
    nss.PK11_InitPin.argtypes = [voidp, ctypes.c_char_p, ctypes.c_char_p]
    smime.CERT_DecodeCertFromPackage.restype = voidp
    smime.CERT_DecodeCertFromPackage.argtypes = [ctypes.c_char_p, ctypes.c_int]
    nss.PK11_ImportCert.argtypes = [voidp, voidp, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    nss.CERT_DecodeTrustString.argtypes = [ctypes.POINTER(Trust), ctypes.c_char_p]
    nss.CERT_GetDefaultCertDB.restype = voidp
    nss.CERT_ChangeCertTrust.argtypes = [voidp, voidp, ctypes.POINTER(Trust)]
    nss.CERT_DestroyCertificate.argtypes = [voidp]
    nss.PK11_FreeSlot.argtypes = [voidp]

    directory.mkdir(parents=True, exist_ok=True)
    if nss.NSS_InitReadWrite(f"sql:{directory}".encode()) != 0:
        raise SystemExit("NSS_InitReadWrite failed")
    try:
        slot = nss.PK11_GetInternalKeySlot()
        if nss.PK11_NeedUserInit(slot) and nss.PK11_InitPin(slot, None, b"") != 0:
            raise SystemExit("PK11_InitPin failed")
        cert = smime.CERT_DecodeCertFromPackage(ca_der, len(ca_der))
        if not cert:
            raise SystemExit("cannot decode the CA certificate")
        if nss.PK11_ImportCert(slot, cert, 0, b"gongzhi-test-ca", 0) != 0:
            raise SystemExit("PK11_ImportCert failed")
        trust = Trust()
        if nss.CERT_DecodeTrustString(ctypes.byref(trust), b"CT,C,C") != 0:
            raise SystemExit("CERT_DecodeTrustString failed")
        if nss.CERT_ChangeCertTrust(nss.CERT_GetDefaultCertDB(), cert, ctypes.byref(trust)) != 0:
            raise SystemExit("CERT_ChangeCertTrust failed")
        nss.CERT_DestroyCertificate(cert)
        nss.PK11_FreeSlot(slot)
    finally:
        nss.NSS_Shutdown()


if __name__ == "__main__":
    make_nss_db(Path(sys.argv[1]), Path(sys.argv[2]).read_bytes())
