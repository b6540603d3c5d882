"use strict";exports.id=459,exports.ids=[459],exports.modules={6459:((i,n,d)=>{d.d(n,{A:()=>u});let s;function t(e,o,_){return s??=d(4912),s(e,o,_)}const u={sign:t}})};
