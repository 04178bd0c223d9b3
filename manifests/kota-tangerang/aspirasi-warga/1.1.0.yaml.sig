keyId: "kota-tangerang-2025"
algorithm: ed25519
signature: wu9TYZtJD3QrcZyHrb114ephAIZ9E0gfru0yPNKTPuAKqpvSBBEPRZKBLIrcg1dm24oJvAZRD2jEOi4HRFqTAw==
canonical: ksad-c14n-v1
