keyId: "kota-bandung-2025"
algorithm: ed25519
signature: W/C6c9Ws/YMCQ21c9Yy/+NJsbpHqcpqRHdscvN7FKl1GBtEzVdj1x7Ho1JG2Pi9QSjXPzcfqy7IAUxjik90rBw==
canonical: ksad-c14n-v1
