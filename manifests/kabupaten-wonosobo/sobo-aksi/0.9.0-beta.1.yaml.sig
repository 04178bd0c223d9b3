keyId: "kabupaten-wonosobo-2025"
algorithm: ed25519
signature: hkz7Mqa3hln3l4C2HpUd6A/X0wvAMP0+Y5FAVmq8NX2UmUjwHOL92wQkCJVOHifN87KDOekZShUkP01Vt6eeDQ==
canonical: ksad-c14n-v1
