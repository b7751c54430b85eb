#!/bin/sh
echo {{
