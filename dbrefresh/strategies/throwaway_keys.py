"""Throwaway private keys, one per PEM kind: what `private_key` writes over a real one.

PUBLIC TEST KEYS, published with dbrefresh: never use them to protect anything. They were
generated once with openssl (and ssh-keygen) for this file, so a masked database holds a
key of the kind the application expects, which it can parse and sign with (Akkoma reads
an RSA PRIVATE KEY, Lemmy and Misskey a PKCS#8 PRIVATE KEY); signatures made with them
match no public key kept beside them, as none of production's should.
"""

from __future__ import annotations

PASSPHRASE = "dbrefresh"  # noqa: S105 - of the ENCRYPTED PRIVATE KEY, public by design

# PEM label -> the key, armour included
KEYS: dict[str, str] = {
    # RSA 2048, PKCS#1 (`openssl genrsa -traditional 2048`)
    "RSA PRIVATE KEY": (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        "MIIEogIBAAKCAQEAlhA/UiqUIK7rW66uVbEpDkYFhkNK3DGv04XdYhO1sn75akKT\n"
        "f2oPSrFh5f7vlh0oITjh8nnntUbmrFPsgNFtXRSSzzdjsac9QSZWZp1BxGn2FUMP\n"
        "l6qj34WNgKTjXCAtFSFy0SRLt60JI82l+g+RQ3dyRaxQ+OKw8WW0cLOS7X/HbILE\n"
        "1rsv9cM9CCUHrAXqJRQFS35E2cqgKwuzLoM+fg1vCvXXlgWz70VR32PupLsv0Y1G\n"
        "Shf8VIfL0muVN3bOsPr7Y9SANDgS60hWpN0B1tIutdt5JDTwDQFiMdDUPl6QLQUP\n"
        "KkhI5UT23dSCDXZheQRw7/ETIgaLvEc3QUzAkwIDAQABAoIBADor0DAM22EUDZ57\n"
        "x47mXzDuSePzIAjdpfgMM3Z6h3vLJupfJohE1+qvenDK85swcEb4ovX49a5a7r6s\n"
        "xchl5swnVoXHRfkvCFrB/spGeaEnJkK1vUyg1GeogOL2iEBFJNTFI5oZRNTN2fYs\n"
        "GQQnlrsdiYmis7zXO5pIP7tUkUdJIjCSbqvFC3rgeoH7LesbE33o991yD9SfSz17\n"
        "BsL6OV8uRTGLL/T8ZSd55BnFZsBP945kejv3rXBbq34BMdw/uHMN/AMGhJabftEA\n"
        "1FfKWSdDbuFxIKwPqU9G4A10Rl16lzaAaLmuk+jPoJkvPHF6brXZqpv5XfaRx70d\n"
        "kEyPlhkCgYEAzGYqCtYhchykapVtAJPNzA8PPOkgC8kgixBAcPOxWMnyc2fwWjgy\n"
        "v2zTxAF2jeL9O2B8mv+a9eGL0ZfQvfuCljn5zUqBVvZgsPLke9qq/ULWn+WaNlmC\n"
        "R+yG7h8SGYJRF5aD44JnT+G1+yLHiPFBxAkKvkUfqRuKFjPnFWeFMNUCgYEAu/J/\n"
        "yq1mTqwMJ/HcRlqGOf0as7PcCdvSFBbUxMtUsKfI/qQ8pRPGx+5nzduTBkU5816x\n"
        "4X1Gr+4FOCdkQZ7AL+6fFQm16s4CNve9F0Y7uOz5gsXlXBe2Dxd/gjUkzw1C+1Kk\n"
        "NIMn8oproUNw9Vq7qWpzE/EaiCAQRZ5pC8VyH8cCgYAvo+RKsEwNV8WunfNQ/iIq\n"
        "XJw1mzR/6rnuD7SlXvdH9ZHP+jrYHF8fpNLazWh/e5eAPmXsjoTkqFQ5XsQlc7il\n"
        "IRArHCF3TmeM9p/wii/uZaS2kgJWhphKAUQVviIu1ePmtos4/MztnnMW/K07Ktgk\n"
        "Q+NAI8ZUWPnfYOuMXpt5nQKBgBuOhbAo1mxIi4u7yYlDMpUECEs63tNPOLEbW9zy\n"
        "1xsDrtOvLvkhOi8MRIoJXLg5pDKLutcN8DRRWNCP7gI1DYa5nPePse2YgPigQEhO\n"
        "UuldTYQgEe37yATUdCyaMChvkFebGVpdtJi6NOezJLfEsuk3I2JUIoi88sXSYSKJ\n"
        "s573AoGAD4bOUS+pp5YEqnbeSrlb7SN5zCEhhe4lsmHwLCB6qjiR/1IJeMkAeiLJ\n"
        "ofJJ1LjOUrlnozkKTph12CuiZJWv9vnZPMnIUz5BFHcBuSwlD1eKuD3Ckvk94odc\n"
        "y9/4y0uV6rMfD1PXYSRGlkIq859x9Ct0kpm29jAjEZvhV2FpsVs=\n"
        "-----END RSA PRIVATE KEY-----\n"
    ),
    # the same RSA key, PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`)
    "PRIVATE KEY": (
        "-----BEGIN PRIVATE KEY-----\n"
        "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCWED9SKpQgrutb\n"
        "rq5VsSkORgWGQ0rcMa/Thd1iE7WyfvlqQpN/ag9KsWHl/u+WHSghOOHyeee1Ruas\n"
        "U+yA0W1dFJLPN2Oxpz1BJlZmnUHEafYVQw+XqqPfhY2ApONcIC0VIXLRJEu3rQkj\n"
        "zaX6D5FDd3JFrFD44rDxZbRws5Ltf8dsgsTWuy/1wz0IJQesBeolFAVLfkTZyqAr\n"
        "C7Mugz5+DW8K9deWBbPvRVHfY+6kuy/RjUZKF/xUh8vSa5U3ds6w+vtj1IA0OBLr\n"
        "SFak3QHW0i6123kkNPANAWIx0NQ+XpAtBQ8qSEjlRPbd1IINdmF5BHDv8RMiBou8\n"
        "RzdBTMCTAgMBAAECggEAOivQMAzbYRQNnnvHjuZfMO5J4/MgCN2l+AwzdnqHe8sm\n"
        "6l8miETX6q96cMrzmzBwRvii9fj1rlruvqzFyGXmzCdWhcdF+S8IWsH+ykZ5oScm\n"
        "QrW9TKDUZ6iA4vaIQEUk1MUjmhlE1M3Z9iwZBCeWux2JiaKzvNc7mkg/u1SRR0ki\n"
        "MJJuq8ULeuB6gfst6xsTfej33XIP1J9LPXsGwvo5Xy5FMYsv9PxlJ3nkGcVmwE/3\n"
        "jmR6O/etcFurfgEx3D+4cw38AwaElpt+0QDUV8pZJ0Nu4XEgrA+pT0bgDXRGXXqX\n"
        "NoBoua6T6M+gmS88cXputdmqm/ld9pHHvR2QTI+WGQKBgQDMZioK1iFyHKRqlW0A\n"
        "k83MDw886SALySCLEEBw87FYyfJzZ/BaODK/bNPEAXaN4v07YHya/5r14YvRl9C9\n"
        "+4KWOfnNSoFW9mCw8uR72qr9Qtaf5Zo2WYJH7IbuHxIZglEXloPjgmdP4bX7IseI\n"
        "8UHECQq+RR+pG4oWM+cVZ4Uw1QKBgQC78n/KrWZOrAwn8dxGWoY5/Rqzs9wJ29IU\n"
        "FtTEy1Swp8j+pDylE8bH7mfN25MGRTnzXrHhfUav7gU4J2RBnsAv7p8VCbXqzgI2\n"
        "970XRju47PmCxeVcF7YPF3+CNSTPDUL7UqQ0gyfyimuhQ3D1WrupanMT8RqIIBBF\n"
        "nmkLxXIfxwKBgC+j5EqwTA1Xxa6d81D+IipcnDWbNH/que4PtKVe90f1kc/6Otgc\n"
        "Xx+k0trNaH97l4A+ZeyOhOSoVDlexCVzuKUhECscIXdOZ4z2n/CKL+5lpLaSAlaG\n"
        "mEoBRBW+Ii7V4+a2izj8zO2ecxb8rTsq2CRD40AjxlRY+d9g64xem3mdAoGAG46F\n"
        "sCjWbEiLi7vJiUMylQQISzre0084sRtb3PLXGwOu068u+SE6LwxEiglcuDmkMou6\n"
        "1w3wNFFY0I/uAjUNhrmc94+x7ZiA+KBASE5S6V1NhCAR7fvIBNR0LJowKG+QV5sZ\n"
        "Wl20mLo057Mkt8Sy6TcjYlQiiLzyxdJhIomznvcCgYAPhs5RL6mnlgSqdt5KuVvt\n"
        "I3nMISGF7iWyYfAsIHqqOJH/Ugl4yQB6Ismh8knUuM5SuWejOQpOmHXYK6Jkla/2\n"
        "+dk8ychTPkEUdwG5LCUPV4q4PcKS+T3ih1zL3/jLS5Xqsx8PU9dhJEaWQirzn3H0\n"
        "K3SSmbb2MCMRm+FXYWmxWw==\n"
        "-----END PRIVATE KEY-----\n"
    ),
    # the same RSA key, PKCS#8 encrypted with the passphrase `dbrefresh`
    "ENCRYPTED PRIVATE KEY": (
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        "MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIaP9WRm3oFvsCAggA\n"
        "MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBA7dH0Y7DvVov3gn3d7hu7GBIIE\n"
        "0EZbstuU6EkhJn/dZnj5raRmzW3gQBdGDMP8fbFR2nnPN8tptaafBEKd/Cv9u6e8\n"
        "Yij9DvQW7o0OxsXM/cpVec9qs8XUq/rqzkONOUUCDQGNTFwJonO+RRIsS5js+OMX\n"
        "vi4Q9OUsD5ke1ES4DaaaajG6RmAq21CX03BLJPcVbQ21C6dCDmDhaYEsA83IijlL\n"
        "Wp6UmfQFNhyVp49sSIklOz8l+YFsRmk28cJaog2HMMxx10Rmlm8F0xJtHJyviA8o\n"
        "rfyjob3A6qcC/xoaX5iaBhbf/SbFnO66aNR7+qYpmGxNwWOrmtD4W5+7Cz+6GDO2\n"
        "J54tcTtZe/SPaxMhp4hedNIVAhDb6o4fcIWusnrvoG1bhhaRE03ku2JQ7VbVrOcZ\n"
        "gReVrdm0LbkDhXcN2v2KyCFAirpVUxQK1cs3JMMvNar8sqK/hANzlppGL+RIfLL3\n"
        "opcJTxo3WVWzm+DfH2De2PhLT94Lnu9S7O1qEQl14xjx2nxuWBYZ+/qZzOvioHE4\n"
        "9b9TF8gITlgbPoDDoyKht4qXWPB9IlTC+NLDE1Nee+HqU7m/UOqhZf3PDG16JNat\n"
        "VQ/h+sQ7VDGU0m/BiAs4jYLvsUTnuo7D6wG3pbMDPIwMhybSO3JetVMplNoeQPYl\n"
        "GOdR//sH7vNbGY08ZCiQwYHOiJbHCI/NmAY+Zt2J/Gq3Wz6mqZ4X1GmErZsPIkWa\n"
        "oMT08vDWOPoTKRh3SNWPoMC/CJZbvidQsdeHjX+okrVO6Px8NpL448wfC3fyRgSv\n"
        "nQRKN4hz9Bl7VVknTKaG5upqZkAEXls3h1Xsrk6n05ONhoKFP14Rqcw3S5TB1A8n\n"
        "QVyyuIsEtdHQ9pDqNEY7Ubpwp2CmkvxgYMtsQW2fNKxvaoTm1hMsYglpOr3AzQQi\n"
        "lJ4YKx+oA3GDkl0EqerAJAxGvLnYpXER6uuEBxm8mfLOm4OH6UliHibdQjwSt5tp\n"
        "4MvAcPS89++X4sPj/YesArayLf81Jtt9RbpydeKLXDaDsw2pWVQIDwrhU0tUU3Xa\n"
        "AnSiMPqtRx71GXg8r8F6VAzSERgsBbFbUGB7/UwTJ3o/gKFEcrJ7FAS/ad1jBt7P\n"
        "DUC+gc5K2EF/ErTyQc5WFWBuk6eEM473Wbsg2rG1ptktKf1pkWmLPMfM1Wy+XYnG\n"
        "4OgYaj1yeuNDHdHSt5ILrRJX6YD6mEA0BiSk0HNHUt6/GC82WsMGCiMKVHxLQYav\n"
        "bKHA2Yxxv7/msulJXBq54yMJU8jtt/+xHkRPdQtKgpj8URbgw4ei7mlwRu9aTbSz\n"
        "iOA3Cpm8cGMVPJzSbMBc2W1BPJR60yKrlv8+zZXAJx2nXRcfdhhGCgG3uhLS6tFS\n"
        "g+Jfh7/lvuGRJZ+T/WJIKe9J6OeHSYFnmv6mgtX1dJfZzCLzpwjZSs9/viBGOweO\n"
        "kQQp1A0pZq8regX6SJdAbFOKZlH020URDAQhR0Kx2rQ9g3aeKKMLFOUiCKhOZs4o\n"
        "HMBYEoXLSAoCTAwm/aGtFZO9oR2/AmiM0QKQ8YDrAfZhhIfP4lo6bQqWDkl3VrKS\n"
        "CaQ8dSWkm4JHdAKYzLF3CsjpFEjORf5HVx78rrBVandH6iPFbEIXen6LzcdlL/MD\n"
        "Z5T1ZZRS0zo3LBOw2XMviz31ZmpYNjgQ8CjvRyRGZxi1\n"
        "-----END ENCRYPTED PRIVATE KEY-----\n"
    ),
    # EC P-256, SEC 1 (`openssl ecparam -name prime256v1 -genkey`)
    "EC PRIVATE KEY": (
        "-----BEGIN EC PRIVATE KEY-----\n"
        "MHcCAQEEINoaFs0JfNHDaS0VnSMzu+hbThH/zJWv7sEI7F3nckIHoAoGCCqGSM49\n"
        "AwEHoUQDQgAEx5mlkJMgs7kvj8yBvr8YZp2Wf1PF4oIkYaEJlANv48uObYQmSB2Z\n"
        "zD6Pmsd8qAdWVjFNu+qcs4PJrfOgK0mEHQ==\n"
        "-----END EC PRIVATE KEY-----\n"
    ),
    # DSA 2048 (`openssl dsaparam -genkey 2048`)
    "DSA PRIVATE KEY": (
        "-----BEGIN DSA PRIVATE KEY-----\n"
        "MIIDTgIBAAKCAQEA/srKfanil32quJP1xtNVScy1hFQw2RbRGNt4FefKhTVyAxkO\n"
        "/PUnLrD3EdCQ56sK5Jt5S2oxdQP8sJ+zvdZ5j1W2kvmDMkDTj+MeAAiMwcsJZNv8\n"
        "zfi0P56gaa2IJqg407JkkGbSkESzda7aQOfiyhmmedVIA6TI2ACuwtNRGbyZFWFl\n"
        "fkEuypeoPeL6rVEJD+eN1xCtWG3+ZycHGf6ibpq7wDNWa4k0h9KAePKyk1r5ny2c\n"
        "a8wj9RrONx5duVKiIBwd7xvisDvrvF39JO9FaUwmPsIC717jCWauyjCVRjq0017y\n"
        "X46cGJacXXBqk+8UF3BgfPtXRRTZkCVRQkdVPwIdAJ6Q1b59o/CVXx1+FilUgRiT\n"
        "Byg9b2VXV9TMlVsCggEAZOUKkVojQLv8GpUaJDZ/SRJ9yU9ZKHv9ejvWzxXyNIkf\n"
        "0UY/iHmJEbAjWCXWh3v9N/FXWzhtcmtlcm7IxYOOwz++CVluBiTVmZNMw+WIIVTB\n"
        "rVkkOKqok+SdbUYC2IqEb2oUirIYBpF1zWQjTWskE50n3tq98cdH+P1tOUoaCzon\n"
        "YkgA2NUode4uwlkUAbOHuaj0p3w/IgUZI6+JVt/2LKlCnvh9v1pcYYqWVQt7S0k5\n"
        "QSM/1FWbsW0uJazo7THX7ZrinpRD5MdDulalVJlW/ftggfbEl5XtGz3Z59qipsw4\n"
        "Rc+cQ8X3IXlPR/KRHRECIrhkFWRnkV858b5KUpqONgKCAQEAweSgFgPpHv7rKcCz\n"
        "2UJEnKHt3nZFDZ+P8qhqz/iCGsv/ZT972VV8yWYigkjN89WJA0u+7aMPBIVbCoq+\n"
        "MoBZwVFYFoJ7z981gIxaF6UQ51WqrymNbLc5ktdVxqgMdc/OEFrbaMzU7zCCeXPN\n"
        "mpeNi2hPDqrxOWsxuUVHOCFJ/Q9jn5igXf5R9MhzlGPT6lMmMWLXrfHM69UFMhoy\n"
        "G4Tx1cU8GCSxiLBGo52zGnVOhaOQ89GZgLRzihsH2cfONlzZWX3i+UwQ0cDme61j\n"
        "eLuJC3kVz3mQAySRFMJiOrtRpQZME6j5WTVdfe1naBwjYVFOw/O6nbuH9c6NtPKC\n"
        "/wE72QIccSw+eUYNiIH1Lmu1gVSHvpOTlPMbJ5azCUPC4g==\n"
        "-----END DSA PRIVATE KEY-----\n"
    ),
    # Ed25519, OpenSSH (`ssh-keygen -t ed25519 -N '' -C ''`)
    "OPENSSH PRIVATE KEY": (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        "QyNTUxOQAAACDxjhJvuGO5GJN8bZClnpkjnwXH9wNYipuXjDDIcJnEhAAAAIi/wePpv8Hj\n"
        "6QAAAAtzc2gtZWQyNTUxOQAAACDxjhJvuGO5GJN8bZClnpkjnwXH9wNYipuXjDDIcJnEhA\n"
        "AAAED+iwuLkO8U210ejgW9gSPpcTBdauWZpn1PnfHktY2M7fGOEm+4Y7kYk3xtkKWemSOf\n"
        "Bcf3A1iKm5eMMMhwmcSEAAAAAAECAwQF\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    ),
}
