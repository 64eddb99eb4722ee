/**
 * Turnkey's production notarizer public key (uncompressed P-256, hex): the key every Turnkey
 * session JWT is signed with. The same value as `@turnkey/crypto`'s
 * `PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY` (a test keeps them equal); kept here so the core does not
 * pull `@turnkey/crypto` and its dependencies into every install and edge bundle.
 */
export const PRODUCTION_NOTARIZER_PUBLIC_KEY =
  "04d498aa87ac3bf982ac2b5dd9604d0074905cfbda5d62727c5a237b895e6749205e9f7cd566909c4387f6ca25c308445c60884b788560b785f4a96ac33702a469";
