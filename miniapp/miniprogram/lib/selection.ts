// Hand-over between pages for "choose one and go back" (the checkout's address choice): the
// chooser puts the value here before navigateBack, the opener takes it in onShow.
import type { Address } from './api-types';

let chosenAddress: Address | null = null;

export function chooseAddress(address: Address): void {
  chosenAddress = address;
}

/** The address chosen since the last call, once. */
export function takeChosenAddress(): Address | null {
  const address = chosenAddress;
  chosenAddress = null;
  return address;
}
