keyId: "kota-bandung-2025"
algorithm: ed25519
signature: X+usx17ScPoyxvuFmUqMnUYg14i1yDiOb9pZDMoNxSLh57ftnbRa42ZMlOvz1vBUrRulxHyfCjkCIu2tuqzrDA==
canonical: ksad-c14n-v1
