keyId: "kota-tangerang-2025"
algorithm: ed25519
signature: FSZemH3s0fegoKDfpFMNAwR5WO6RrLlD+h+KRIeg9nvOh0gb3uAvn9iDQ3H1r+nMvYfdjGSbnLuPd559hSttCg==
canonical: ksad-c14n-v1
