// Node's raw ECDSA P-256 verify in each form it accepts, one at a time on the event loop:
// `taskset -c 0 npx tsx bench/verify-forms.ts`. Shows which key and signature encodings are
// cheapest per call (src/der.ts uses the winner). Three rounds, 1.5 s each, verifications/s.
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const COUNT = 2000;
const messages = Array.from({ length: COUNT }, () => randomBytes(32));
const raw = messages.map((message) => sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" }));
const der = messages.map((message) => sign("sha256", message, privateKey));
const jwkKey: KeyObject = createPublicKey({ key: publicKey.export({ format: "jwk" }), format: "jwk" });
const spkiKey: KeyObject = createPublicKey({ key: publicKey.export({ format: "der", type: "spki" }), format: "der", type: "spki" });

const forms: Record<string, (index: number) => boolean> = {
  "r‖s (ieee-p1363), JWK key": (index) => verify("sha256", messages[index]!, { key: jwkKey, dsaEncoding: "ieee-p1363" }, raw[index]!),
  "r‖s (ieee-p1363), SPKI key": (index) => verify("sha256", messages[index]!, { key: spkiKey, dsaEncoding: "ieee-p1363" }, raw[index]!),
  "DER, JWK key": (index) => verify("sha256", messages[index]!, jwkKey, der[index]!),
  "DER, SPKI key": (index) => verify("sha256", messages[index]!, spkiKey, der[index]!),
  'DER, SPKI key, "SHA256"': (index) => verify("SHA256", messages[index]!, spkiKey, der[index]!),
};
for (const [name, check] of Object.entries(forms)) if (!check(0)) throw new Error(`${name} does not verify`);

const rates = new Map<string, number[]>();
for (let round = 0; round < 3; round++) {
  for (const [name, check] of Object.entries(forms)) {
    for (let index = 0; index < 300; index++) check(index);
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < 1500) for (let batch = 0; batch < 100; batch++) check(done++ % COUNT);
    rates.set(name, [...(rates.get(name) ?? []), Math.round(done / ((performance.now() - started) / 1000))]);
  }
}
for (const [name, values] of rates) console.log(`${name.padEnd(28)} ${values.join(" / ")} verifications/s`);
