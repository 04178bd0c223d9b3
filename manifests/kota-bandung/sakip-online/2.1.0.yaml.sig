keyId: "kota-bandung-2025"
algorithm: ed25519
signature: MNUDGG2C0sdR2OCjUBx8POtxSHooxnKUk7us1WGeWSgax8Ife7vQPwewWWMO8LSiLJsbgzLysfpZyOA3Oj1OAw==
canonical: ksad-c14n-v1
