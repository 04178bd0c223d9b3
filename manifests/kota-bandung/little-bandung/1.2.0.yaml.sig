keyId: "kota-bandung-2025"
algorithm: ed25519
signature: unKEO17fDKp17eFJbWJ1DyK+Xjh2pTOvS0xWYvibsP/Q4B/5tCB8ULyYKZGfGBmrX5HKDM3y5rM21bnv0ZK7AA==
canonical: ksad-c14n-v1
