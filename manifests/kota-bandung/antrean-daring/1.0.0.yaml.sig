keyId: "kota-bandung-2025"
algorithm: ed25519
signature: JM+Y1+8I9Pan2SYGGTDldo6NPS1fDBJwBf36GrroKGULsfJmq2XYx662pfuKI/r3srZa96wFZCi9MYcRMmq8Ag==
canonical: ksad-c14n-v1
