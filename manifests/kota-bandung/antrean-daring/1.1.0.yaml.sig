keyId: "kota-bandung-2025"
algorithm: ed25519
signature: bDUtkxI8UjwianlbgRzWVD6TsZlVf8SRkM5T2/YzZSeNC0mrNcgLsB3GkCgKcdmpJF3EnpqRpVVNfZVxQfyUBw==
canonical: ksad-c14n-v1
