import { describe, expect, it } from 'vitest';
import { ageFromBirthYear, checkProfilePatch } from '../../src/modules/accounts/accounts.profile.ts';
import { unsubscribeConfirmPage, unsubscribedPage } from '../../src/modules/notifications/notifications.templates.ts';
import { AppError } from '../../src/utils/errors.ts';

function fieldsOf(input: unknown): string[] {
  try {
    checkProfilePatch(input);
  } catch (error) {
    if (error instanceof AppError) return (error.fields ?? []).map((field) => field.field);
    throw error;
  }
  return [];
}

describe('the profile’s rules', () => {
  it('takes the age before this year’s birthday, counting the year in Seoul', () => {
    expect(ageFromBirthYear(1999, new Date('2026-06-01T00:00:00Z'))).toBe(26);
    // 2026-12-31 15:00 UTC is already 2027 in Seoul.
    expect(ageFromBirthYear(1999, new Date('2026-12-31T15:00:00Z'))).toBe(27);
    expect(ageFromBirthYear(2026, new Date('2026-06-01T00:00:00Z'))).toBe(0);
  });

  it('resolves a 시도 by any of its names, checks the 시군구 against it, and clears an old 시군구 when the 시도 changes alone', () => {
    expect(checkProfilePatch({ regionSido: '서울특별시', regionSigungu: '강남구' })).toEqual({ regionSido: '서울', regionSigungu: '강남구' });
    expect(checkProfilePatch({ regionSido: '경기' })).toEqual({ regionSido: '경기', regionSigungu: null });
    expect(checkProfilePatch({ regionSido: null })).toEqual({ regionSido: null, regionSigungu: null });
    expect(fieldsOf({ regionSido: '서울', regionSigungu: '해운대구' })).toEqual(['regionSigungu']);
    expect(fieldsOf({ regionSigungu: '강남구' })).toEqual(['regionSigungu']);
    expect(fieldsOf({ regionSido: '한양' })).toEqual(['regionSido']);
    expect(fieldsOf({ birthYear: 1850, situation: 'astronaut', name: '' })).toEqual(expect.arrayContaining(['birthYear', 'situation', 'name']));
  });

  it('keeps the unsubscribe pages’ promise: they point to /me, where consent is turned on again', () => {
    expect(unsubscribeConfirmPage({ token: 't', email: 'a@example.com', alreadyOff: false }).body.__html).toContain('href="/me"');
    expect(unsubscribedPage().body.__html).toContain('href="/me"');
  });
});
