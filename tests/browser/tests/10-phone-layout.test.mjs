// On a 390×844 phone no page is wider than the screen: wide tables scroll inside their
// own box, the page itself never scrolls sideways. (The meeting, cadres and people pages
// wait in ../pending/10-phone-layout-pending.test.mjs.)
import { fitsThePhone } from './phone-layout.mjs';

fitsThePhone(['overview', 'cells', 'cell', 'petitions', 'guidance', 'password']);
