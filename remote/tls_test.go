package remote_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// TestTLS: a node connects over TLS to a server whose certificate it
// trusts, with a password on top; an untrusted certificate fails Start.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	s := remotetest.Server(t, func(o *natsserver.Options) {
		o.TLS, o.TLSTimeout = true, 5
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		o.Username, o.Password = "u", "p"
	})
	sys, _ := remotetest.System(t)
	_, err := remote.Start(t.Context(), sys, remote.WithURL(s.ClientURL()), remote.WithUserInfo("u", "p"),
		remote.WithTLS(&tls.Config{MinVersion: tls.VersionTLS12}))
	require.ErrorIs(t, err, remote.ErrStart)

	n := remotetest.StartNode(t, sys, remote.WithURL(s.ClientURL()), remote.WithUserInfo("u", "p"),
		remote.WithTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	require.True(t, n.Conn().TLSRequired())
	_, got := remotetest.Export[string](t, n, "secure", 1)
	remotetest.SendArrives(t, n, "secure", "sealed", got)
}
