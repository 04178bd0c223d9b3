keyId: "kabupaten-wonosobo-2025"
algorithm: ed25519
signature: kaJyakZca0uV03kZnJBpEvur6gEMVUj9riQqS672iW0X9IpZ4BDuhyDHA/r+KVbaYlgZu6G2c8zFPZr6e1gZAQ==
canonical: ksad-c14n-v1
