package rsapub

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
)

// TestVerifyPKCS1v15_CAVP runs NIST CAVP known-answer vectors: "SigVer PKCS#1 Ver 1.5" from
// 186-3rsatestvectors.zip, file SigVer15_186-3.rsp, [mod = 2048], SHAAlg = SHA256 (n, e, Msg,
// S and the published Result). Its e = 0x49d2a1 exercises a long, irregular exponent.
func TestVerifyPKCS1v15_CAVP(t *testing.T) {
	n := unhex(t, `
		c47abacc2a84d56f3614d92fd62ed36ddde459664b9301dcd1d61781cfcc026b
		cb2399bee7e75681a80b7bf500e2d08ceae1c42ec0b707927f2b2fe92ae85208
		7d25f1d260cc74905ee5f9b254ed05494a9fe06732c3680992dd6f0dc634568d
		11542a705f83ae96d2a49763d5fbb24398edf3702bc94bc168190166492b8671
		de874bb9cecb058c6c8344aa8c93754d6effcd44a41ed7de0a9dcd9144437f21
		2b18881d042d331a4618a9e630ef9bb66305e4fdf8f0391b3b2313fe549f0189
		ff968b92f33c266a4bc2cffc897d1937eeb9e406f5d0eaa7a14782e76af3fce9
		8f54ed237b4a04a4159a5f6250a296a902880204e61d891c4da29f2d65f34cbb`)
	const e = 0x49d2a1
	tests := []struct {
		name string
		msg  string
		sig  string
		want bool
	}{
		{
			name: "Result = P",
			msg: `95123c8d1b236540b86976a11cea31f8bd4e6c54c235147d20ce722b03a6ad75
				6fbd918c27df8ea9ce3104444c0bbe877305bc02e35535a02a58dcda306e632a
				d30b3dc3ce0ba97fdf46ec192965dd9cd7f4a71b02b8cba3d442646eeec4af59
				0824ca98d74fbca934d0b6867aa1991f3040b707e806de6e66b5934f05509bea`,
			sig: `51265d96f11ab338762891cb29bf3f1d2b3305107063f5f3245af376dfcc7027
				d39365de70a31db05e9e10eb6148cb7f6425f0c93c4fb0e2291adbd22c77656a
				fc196858a11e1c670d9eeb592613e69eb4f3aa501730743ac4464486c7ae68fd
				509e896f63884e9424f69c1c5397959f1e52a368667a598a1fc90125273d9341
				295d2f8e1cc4969bf228c860e07a3546be2eeda1cde48ee94d062801fe666e4a
				7ae8cb9cd79262c017b081af874ff00453ca43e34efdb43fffb0bb42a4e2d32a
				5e5cc9e8546a221fe930250e5f5333e0efe58ffebf19369a3b8ae5a67f6a048b
				c9ef915bda25160729b508667ada84a0c27e7e26cf2abca413e5e4693f4a9405`,
			want: true,
		},
		{
			name: "Result = F",
			msg: `f89fd2f6c45a8b5066a651410b8e534bfec0d9a36f3e2b887457afd44dd651d1
				ec79274db5a455f182572fceea5e9e39c3c7c5d9e599e4fe31c37c34d253b419
				c3e8fb6b916aef6563f87d4c37224a456e5952698ba3d01b38945d998a795bd2
				85d69478e3131f55117284e27b441f16095dca7ce9c5b68890b09a2bfbb010a5`,
			sig: `ba48538708512d45c0edcac57a9b4fb637e9721f72003c60f13f5c9a36c968ce
				f9be8f54665418141c3d9ecc02a5bf952cfc055fb51e18705e9d8850f4e1f5a3
				44af550de84ffd0805e27e557f6aa50d2645314c64c1c71aa6bb44faf8f29ca6
				578e2441d4510e36052f46551df341b2dcf43f761f08b946ca0b7081dadbb88e
				955e820fd7f657c4dd9f4554d167dd7c9a487ed41ced2b40068098deedc95106
				0faf7e15b1f0f80ae67ff2ee28a238d80bf72dd71c8d95c79bc156114ece8ec8
				37573a4b66898d45b45a5eacd0b0e41447d8fa08a367f437645e50c9920b88a1
				6bc0880147acfb9a79de9e351b3fa00b3f4e9f182f45553dffca55e393c5eab6`,
		},
	}
	nb := new(big.Int).SetBytes(n)
	pub, err := NewPublicKey(nb, e)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sha256.Sum256(unhex(t, tc.msg))
			sig := unhex(t, tc.sig)
			if got := pub.VerifyPKCS1v15(SHA256, d[:], sig); got != tc.want {
				t.Fatalf("VerifyPKCS1v15 = %v, CAVP Result says %v", got, tc.want)
			}
			// The transcription is checked too: crypto/rsa agrees with the published result.
			if std := rsa.VerifyPKCS1v15(&rsa.PublicKey{N: nb, E: e}, hashes[0].ch, d[:], sig) == nil; std != tc.want {
				t.Fatalf("crypto/rsa = %v, CAVP Result says %v (transcription error?)", std, tc.want)
			}
		})
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
