/**
 * The external system's starting data for the demo: three clients its staff entered, with the shapes old
 * data really has (a capitalised gender, a typo in a status, a date with a doubled year digit, slashes).
 * Invented people; the example never prints a name.
 */
import type { SeedClient } from './standin.js';

export function demoClients(now: number): SeedClient[] {
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
  return [
    { given_name: 'Sopheap', family_name: 'Chea', gender: 'Female', date_of_birth: '2012-04-09', level_of_risk: 'high', status: 'Active', mosvy_number: 'MV-0012', updated_at: daysAgo(3) },
    { given_name: 'Vuthy', family_name: 'Kim', gender: 'male', date_of_birth: '22011-07-30', level_of_risk: 'no action', status: 'Accetped', updated_at: daysAgo(2) },
    { given_name: 'Malis', family_name: 'Sok', gender: 'female', date_of_birth: '2016/02/17', level_of_risk: 'medium', status: 'Referred', mosvy_number: ' MV-0047 ', updated_at: daysAgo(1) },
  ];
}
