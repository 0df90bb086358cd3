// The pages with wide tables (meeting, cadres, people, accounts) and the admins' forms fit
// a 390×844 phone: their tables scroll inside their own box.
import { fitsThePhone } from './phone-layout.mjs';

fitsThePhone(['meeting', 'cadres', 'people', 'accounts', 'rule-settings']);
