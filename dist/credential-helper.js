#!/usr/bin/env node
'use strict';
require('./credential-helper/index.js');
