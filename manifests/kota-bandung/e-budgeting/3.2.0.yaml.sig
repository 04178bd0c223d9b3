keyId: "kota-bandung-2025"
algorithm: ed25519
signature: Z/J5g3V3AvZM1TYI4zdgKxTdrHg1wkV/A7dcp82BfBjEKvzRa6eUZ/76U0pU8ccYOFYw8G+g4n1BBZx4m8tWAw==
canonical: ksad-c14n-v1
