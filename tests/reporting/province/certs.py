"""Certificates made at test time with `cryptography`: a root CA, an intermediate, signers
(one valid, one long expired), and a second root nobody configured. Nothing is read from disk or
the network; the PKCS#12 bundles are what an admin would configure (SIGNING_P12_FILE)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

P12_PASSWORD = b"mat-khau-thu"


@dataclass
class Identity:
    key: object  # a cryptography private key
    cert: x509.Certificate
    chain: list  # issuing CAs below the root, nearest first

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def p12(self, password: bytes = P12_PASSWORD) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"signer", self.key, self.cert, self.chain,
            serialization.BestAvailableEncryption(password))

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [self.cert, *self.chain])


def _name(cn: str, org: str = "Ban Cơ yếu Chính phủ (thử)") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn, issuer: Identity | None, *, ca: bool, not_before, not_after, org=None, tsa=False) -> Identity:
    # pyHanko's local test timestamper signs with RSA only; everyone else uses P-256 (fast to make).
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if tsa else ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn, org) if org else _name(cn)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=True)
    cert = builder.sign((issuer or Identity(key, None, [])).key, hashes.SHA256())
    chain = ([issuer.cert, *issuer.chain] if issuer else [])
    return Identity(key, cert, chain)


@dataclass
class TestPKI:
    root: Identity
    intermediate: Identity
    signer: Identity        # a person: Giám đốc Sở
    organisation: Identity  # the agency's own certificate (counter-signs)
    expired: Identity       # valid 2019–2020 only
    stranger: Identity      # chains to `stranger_root`, which no admin configured
    stranger_root: Identity
    tsa: Identity           # a timestamp authority under the test root

    def timestamper(self, at: dt.datetime | None = None):
        """A local pyHanko timestamper signing tokens as `tsa` (no network), optionally at a fixed time."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        der = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
        key = asn1_keys.PrivateKeyInfo.load(self.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return DummyTimeStamper(tsa_cert=der(self.tsa.cert), tsa_key=key,
                                certs_to_embed=[der(c) for c in self.tsa.chain], fixed_dt=at)


def make_pki() -> TestPKI:
    now = dt.datetime.now(dt.timezone.utc)
    long_ago, later = now - dt.timedelta(days=3650), now + dt.timedelta(days=3650)
    root = _issue("Root CA thử nghiệm", None, ca=True, not_before=long_ago, not_after=later)
    intermediate = _issue("CA trung gian thử nghiệm", root, ca=True, not_before=long_ago, not_after=later)
    signer = _issue("Nguyễn Văn An", intermediate, ca=False, not_before=now - dt.timedelta(days=30),
                    not_after=now + dt.timedelta(days=365), org="Sở Tài chính")
    organisation = _issue("Sở Tài chính thành phố Hồ Chí Minh", intermediate, ca=False,
                          not_before=now - dt.timedelta(days=30), not_after=now + dt.timedelta(days=365),
                          org="Sở Tài chính")
    expired = _issue("Trần Thị Hết Hạn", intermediate, ca=False, not_before=dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc),
                     not_after=dt.datetime(2020, 12, 31, tzinfo=dt.timezone.utc), org="Sở Tài chính")
    stranger_root = _issue("Root CA lạ", None, ca=True, not_before=long_ago, not_after=later, org="Không rõ")
    stranger = _issue("Người Lạ", stranger_root, ca=False, not_before=now - dt.timedelta(days=30),
                      not_after=now + dt.timedelta(days=365), org="Không rõ")
    tsa = _issue("TSA thử nghiệm", intermediate, ca=False, not_before=long_ago, not_after=later, tsa=True)
    return TestPKI(root, intermediate, signer, organisation, expired, stranger, stranger_root, tsa)


# --- generating and signing in tests ---------------------------------------------------------------

def generate(cycle, by=None, *, sign: bool = False, reason: str = ""):
    """A PDF generation of `cycle` run to the end in-process, as the reviewer's page would queue it."""
    import datetime as _dt

    from reporting.models import ProvinceReportJob
    from reporting.province.build import default_meta
    from reporting.province.jobs import run_job

    meta = default_meta(cycle, today=_dt.date(2026, 12, 5))
    meta.signer_name, meta.signer_title = "Nguyễn Văn An", "GIÁM ĐỐC"
    job = ProvinceReportJob.objects.create(cycle=cycle, format="pdf", params=meta.as_json(), requested_by=by,
                                           sign=sign, replacement_reason=reason)
    return run_job(job.pk)


def job_pdf(job) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(job.file_path, "rb") as fh:
        return fh.read()


def sign_as(data: bytes, identity: Identity, tmp_path, *, title: str = "GIÁM ĐỐC", counter: bool = False,
            timestamper=None) -> bytes:
    """`data` signed by `identity` through the server's signing code (a PKCS#12 file, as configured)."""
    from reporting.province import signing

    path = tmp_path / f"{x509.random_serial_number()}.p12"
    path.write_bytes(identity.p12())
    return signing.sign_pdf(data, signing.load_signer(path, P12_PASSWORD, title=title), counter_signature=counter,
                            timestamper=timestamper)
