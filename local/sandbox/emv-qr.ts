/**
 * An EMVCo merchant-presented QR payload (what `type_response.qr_data` carries for dynamic and hybrid orders):
 * ID-length-value fields and a CRC-16/CCITT-FALSE checksum. Not scannable by a real wallet, but well formed.
 */
import type { Currency, SiteId } from '../../functions/model/money.ts';

const ISO_4217: Record<Currency, string> = {
  ARS: '032',
  BRL: '986',
  MXN: '484',
  CLP: '152',
  COP: '170',
  PEN: '604',
  UYU: '858',
};

const COUNTRY: Record<SiteId, string> = {
  MLA: 'AR',
  MLB: 'BR',
  MLM: 'MX',
  MLC: 'CL',
  MCO: 'CO',
  MPE: 'PE',
  MLU: 'UY',
};

const field = (id: string, value: string): string => `${id}${String(value.length).padStart(2, '0')}${value}`;

export const crc16 = (text: string): string => {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
};

export const emvQrData = (input: {
  orderId: string;
  siteId: SiteId;
  currency: Currency;
  amount: string;
}): string => {
  const payload =
    field('00', '01') +
    field('01', '12') +
    field('26', field('00', 'com.mercadopago') + field('01', input.orderId)) +
    field('52', '0000') +
    field('53', ISO_4217[input.currency]) +
    field('54', input.amount) +
    field('58', COUNTRY[input.siteId]) +
    field('59', 'SANDBOX SELLER') +
    field('60', 'SANDBOX') +
    field('62', field('05', input.orderId.slice(0, 25))) +
    '6304';
  return payload + crc16(payload);
};
