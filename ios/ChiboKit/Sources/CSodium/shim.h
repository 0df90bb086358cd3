// libsodium (Debian's libsodium-dev in the Linux Swift root): the tests' Ed25519 signer.
#include <sodium.h>
