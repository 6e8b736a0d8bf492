"""SCORM 2004 packages as tests build them, each made to the shape of a real one (see
docs/courses.md, SCORM 2004 packages, for the real packages these were checked against):

    CAM13_MANIFEST       2nd edition as Articulate Storyline writes it: schemaversion CAM 1.3, one
                         SCO whose resource lists its files, the organization's controlMode
    THIRD_MANIFEST       3rd edition as Rustici's golf sequencing examples: a content wrapper
                         cluster (flow only, choiceExit false), SCOs with a primary objective
                         satisfied by measure and secondary objectives, sequencing shared through a
                         sequencingCollection (IDRef), pre-condition rules, rollup rules and
                         global objective maps
    FOURTH_MANIFEST      4th edition as the scorm-tester starter template: an asset and two SCOs,
                         adlcp:completionThreshold with completedByMeasure, dataFromLMS, adlcp:data

    build_scorm2004_zip(path, manifest) -> {path in the zip: bytes}: the manifest with a page for
    every file it names.
"""

from __future__ import annotations

import re
from pathlib import Path

from coursekit import write_zip

NAMESPACES = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
              'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
              'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
              'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
              'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')

CAM13_MANIFEST = f"""<?xml version="1.0" encoding="utf-8"?>
<manifest identifier="com.example.storyline.course-id" version="1.0" {NAMESPACES}>
  <metadata><schema>ADL SCORM</schema><schemaversion>CAM 1.3</schemaversion></metadata>
  <organizations default="FIRE_SAFETY_ORG">
    <organization identifier="FIRE_SAFETY_ORG">
      <title>Fire safety on the wing</title>
      <item identifier="FIRE_SAFETY_SCO" identifierref="FIRE_SAFETY_RES">
        <title>Fire safety on the wing</title>
      </item>
      <imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="FIRE_SAFETY_RES" type="webcontent" adlcp:scormType="sco" href="index_lms.html">
      <file href="index_lms.html"/>
      <file href="lms/scormdriver.js"/>
      <file href="story_content/slides.js"/>
    </resource>
  </resources>
</manifest>
""".encode()


def _sco(n: int, name: str, seq: str = "content_rules") -> str:
    return f"""      <item identifier="{name}_item" identifierref="{name}_resource">
        <title>Unit {n}: {name.title()}</title>
        <imsss:sequencing IDRef="{seq}">
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="{name}_satisfied" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
              <imsss:mapInfo targetObjectiveID="com.example.golf.{name}_satisfied"
                             readSatisfiedStatus="true" writeSatisfiedStatus="true"/>
            </imsss:primaryObjective>
            <imsss:objective objectiveID="obj_{name}"/>
          </imsss:objectives>
        </imsss:sequencing>
      </item>"""


THIRD_MANIFEST = f"""<?xml version="1.0" standalone="no" ?>
<manifest identifier="com.example.golf.simpleremediation.20043rd" version="1" {NAMESPACES}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="golf_org">
    <organization identifier="golf_org" adlseq:objectivesGlobalToSystem="false">
      <title>Golf Explained - Simple Remediation</title>
      <item identifier="content_wrapper">
        <title>Golf content</title>
{_sco(1, "playing")}
{_sco(2, "etiquette")}
        <imsss:sequencing>
          <imsss:controlMode choice="false" flow="true" choiceExit="false"/>
          <imsss:rollupRules objectiveMeasureWeight="0"/>
        </imsss:sequencing>
      </item>
      <item identifier="test_item" identifierref="test_resource">
        <title>Post test</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
          <imsss:limitConditions attemptLimit="2"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="playing_resource" type="webcontent" adlcp:scormType="sco" href="Playing/Playing.html">
      <file href="Playing/Playing.html"/><dependency identifierref="common_files"/>
    </resource>
    <resource identifier="etiquette_resource" type="webcontent" adlcp:scormType="sco" href="Etiquette/Course.html">
      <file href="Etiquette/Course.html"/><dependency identifierref="common_files"/>
    </resource>
    <resource identifier="test_resource" type="webcontent" adlcp:scormType="sco"
              href="shared/launchpage.html?content=assessment">
      <file href="shared/launchpage.html"/><dependency identifierref="common_files"/>
    </resource>
    <resource identifier="common_files" type="webcontent" adlcp:scormType="asset">
      <file href="shared/scormfunctions.js"/>
    </resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="content_rules">
      <imsss:sequencingRules>
        <imsss:preConditionRule>
          <imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions>
          <imsss:ruleAction action="skip"/>
        </imsss:preConditionRule>
      </imsss:sequencingRules>
      <imsss:objectives><imsss:primaryObjective objectiveID="ignored_when_the_item_sets_its_own"/></imsss:objectives>
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>
""".encode()

FOURTH_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.starter-template" version="1" {NAMESPACES}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1">
      <title>Starter Template</title>
      <item identifier="WELCOME" identifierref="WELCOME-RES"><title>Welcome</title></item>
      <item identifier="SCO-1" identifierref="SCO-1-RES">
        <title>Lesson 1</title>
        <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/>
        <adlcp:dataFromLMS>lesson=1</adlcp:dataFromLMS>
        <adlcp:data><adlcp:map targetID="shared_notes" readSharedData="true" writeSharedData="true"/></adlcp:data>
      </item>
      <item identifier="SCO-2" identifierref="SCO-2-RES" isvisible="false"><title>Lesson 2</title></item>
      <imsss:sequencing><imsss:controlMode choice="true" flow="true" forwardOnly="true"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="WELCOME-RES" type="webcontent" adlcp:scormType="asset" href="welcome.html">
      <file href="welcome.html"/>
    </resource>
    <resource identifier="SCO-1-RES" type="webcontent" adlcp:scormType="sco" href="sco1/index.html">
      <file href="sco1/index.html"/>
    </resource>
    <resource identifier="SCO-2-RES" type="webcontent" adlcp:scormType="sco" href="sco2/index.html">
      <file href="sco2/index.html"/>
    </resource>
  </resources>
</manifest>
""".encode()


def build_scorm2004_zip(path: str | Path, manifest: bytes) -> dict[str, bytes]:
    """Write a package: `manifest` as imsmanifest.xml and a small page for every file it names."""
    members = {"imsmanifest.xml": manifest}
    for name in re.findall(rb'<file href="([^"]+)"', manifest):
        members[name.decode()] = b"<!DOCTYPE html><html><body><p>" + name + b"</p></body></html>\n"
    write_zip(path, members)
    return members
