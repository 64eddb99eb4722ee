import { createHash, randomUUID } from "node:crypto";
import { invalidArgument, notFound } from "./api-error.js";
import type { Route } from "./context.js";
import { arrayAt, objectAt, optionalString, requiredString, timestampOf } from "./params.js";
import type { OrganizationRecord, WalletAccountRecord, WalletRecord } from "./store.js";

// Turnkey's pagination (v1Pagination): "between 1 and 100. Defaults to 10."
const DEFAULT_PAGE = 10;
const MAX_PAGE = 100;
// More accounts than any sign-up asks for; bounds what one request leaves in memory.
const MAX_ACCOUNTS = 100;
// Anchored, one character class: linear (test/hostile/linear-patterns.test.ts).
const PAGE_LIMIT = /^[0-9]{1,3}$/;

/**
 * A stand-in address: the emulator derives no keys (no BIP-32, no seed), so an account's address is
 * a deterministic hash of its wallet and parameters, shaped as an Ethereum address for
 * `ADDRESS_FORMAT_ETHEREUM` and as 64 hex characters otherwise. It controls nothing.
 */
function placeholderAddress(walletId: string, account: { path: string; addressFormat: string; curve: string }): string {
  const digest = createHash("sha256").update(`${walletId}\n${account.curve}\n${account.path}\n${account.addressFormat}`).digest("hex");
  return account.addressFormat === "ADDRESS_FORMAT_ETHEREUM" ? `0x${digest.slice(0, 40)}` : digest;
}

/** Checks a `wallet` parameter (`v1WalletParams`: `{ walletName, accounts: v1WalletAccountParams[] }`). */
export function parseWalletParams(value: unknown, what = "wallet"): { walletName: string; accounts: { curve: string; pathFormat: string; path: string; addressFormat: string; name?: string }[] } {
  const input = objectAt(value, what);
  const accounts = arrayAt(input, "accounts", `${what}.accounts`);
  if (accounts.length > MAX_ACCOUNTS) throw invalidArgument(`${what}.accounts may hold at most ${MAX_ACCOUNTS} accounts in the emulator`);
  return {
    walletName: requiredString(input, "walletName", `${what}.walletName`),
    accounts: accounts.map((account, index) => {
      const params = objectAt(account, `${what}.accounts[${index}]`);
      const name = optionalString(params, "name", `${what}.accounts[${index}].name`);
      return {
        curve: requiredString(params, "curve", `${what}.accounts[${index}].curve`),
        pathFormat: requiredString(params, "pathFormat", `${what}.accounts[${index}].pathFormat`),
        path: requiredString(params, "path", `${what}.accounts[${index}].path`),
        addressFormat: requiredString(params, "addressFormat", `${what}.accounts[${index}].addressFormat`),
        ...(name === undefined ? {} : { name }),
      };
    }),
  };
}

/** Adds a wallet to `organization`, one account per parameter; returns Turnkey's `v1WalletResult`. */
export function createWallet(organization: OrganizationRecord, params: ReturnType<typeof parseWalletParams>, nowMs: number): { walletId: string; addresses: string[] } {
  const walletId = randomUUID();
  const accounts: WalletAccountRecord[] = params.accounts.map((account) => ({
    ...account,
    walletAccountId: randomUUID(),
    address: placeholderAddress(walletId, account),
    createdAtMs: nowMs,
  }));
  organization.wallets.push({ walletId, walletName: params.walletName, accounts, createdAtMs: nowMs });
  return { walletId, addresses: accounts.map((account) => account.address) };
}

function walletView(wallet: WalletRecord): Record<string, unknown> {
  return { walletId: wallet.walletId, walletName: wallet.walletName, createdAt: timestampOf(wallet.createdAtMs), updatedAt: timestampOf(wallet.createdAtMs), exported: false, imported: false };
}

function accountView(organizationId: string, wallet: WalletRecord, account: WalletAccountRecord, withWallet: boolean): Record<string, unknown> {
  return {
    walletAccountId: account.walletAccountId,
    organizationId,
    walletId: wallet.walletId,
    curve: account.curve,
    pathFormat: account.pathFormat,
    path: account.path,
    addressFormat: account.addressFormat,
    address: account.address,
    createdAt: timestampOf(account.createdAtMs),
    updatedAt: timestampOf(account.createdAtMs),
    ...(account.name === undefined ? {} : { name: account.name }),
    ...(withWallet ? { walletDetails: walletView(wallet) } : {}),
  };
}

/** POST /public/v1/query/list_wallets (the SDKs' `getWallets`) `{ organizationId }` → `{ wallets }`. */
export const listWallets: Route = ({ store, organizationId }) => ({
  wallets: store.organization(organizationId).wallets.map(walletView),
});

function pageLimit(pagination: Record<string, unknown>): number {
  const limit = optionalString(pagination, "limit", "paginationOptions.limit");
  if (limit === undefined) return DEFAULT_PAGE;
  const value = PAGE_LIMIT.test(limit) ? Number(limit) : 0;
  if (value < 1 || value > MAX_PAGE) throw invalidArgument(`paginationOptions.limit must be from 1 to ${MAX_PAGE}`);
  return value;
}

/**
 * POST /public/v1/query/list_wallet_accounts (the SDKs' `getWalletAccounts`) `{ organizationId,
 * walletId?, includeWalletDetails?, paginationOptions?: { limit?, before?, after? } }` → `{ accounts }`,
 * oldest first; `before` and `after` are account ids (cursors), as `@turnkey/core`'s `fetchWallets` pages.
 */
export const listWalletAccounts: Route = ({ store, organizationId, body }) => {
  const walletId = optionalString(body, "walletId");
  const wallets = store.organization(organizationId).wallets.filter((wallet) => walletId === undefined || wallet.walletId === walletId);
  if (walletId !== undefined && wallets.length === 0) throw notFound("wallet not found");
  const pagination = body.paginationOptions === undefined ? {} : objectAt(body.paginationOptions, "paginationOptions");
  const limit = pageLimit(pagination);
  const withWallet = body.includeWalletDetails === true;
  let accounts = wallets.flatMap((wallet) => wallet.accounts.map((account) => ({ wallet, account })));
  const after = optionalString(pagination, "after", "paginationOptions.after");
  // An unknown cursor names no position: nothing is after or before it.
  if (after !== undefined) {
    const at = accounts.findIndex(({ account }) => account.walletAccountId === after);
    accounts = at === -1 ? [] : accounts.slice(at + 1);
  }
  const before = optionalString(pagination, "before", "paginationOptions.before");
  if (before !== undefined) {
    const at = accounts.findIndex(({ account }) => account.walletAccountId === before);
    accounts = at === -1 ? [] : accounts.slice(Math.max(0, at - limit), at);
  }
  return { accounts: accounts.slice(0, limit).map(({ wallet, account }) => accountView(organizationId, wallet, account, withWallet)) };
};
